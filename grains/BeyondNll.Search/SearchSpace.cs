namespace BeyondNll.Search;
