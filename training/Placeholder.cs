namespace BeyondNll.Training;
